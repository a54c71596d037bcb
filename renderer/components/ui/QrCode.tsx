import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

/** The quiet zone around the code, in modules (the QR standard asks for 4). */
const QUIET = 4;

/**
 * `text` as a QR code, drawn as one SVG path (dark modules on a light square, in both themes, so
 * any phone's camera reads it). Byte mode and error correction M: the text is encoded exactly.
 */
export function QrCode({ text, label, className }: { text: string; label: string; className?: string }) {
  const { size, path } = useMemo(() => {
    const code = qrcode(0, 'M');
    // The library takes one byte per character: give it the UTF-8 bytes (the same text, if ASCII).
    code.addData(String.fromCharCode(...new TextEncoder().encode(text)), 'Byte');
    code.make();
    const count = code.getModuleCount();
    let d = '';
    for (let row = 0; row < count; row++)
      for (let col = 0; col < count; col++)
        if (code.isDark(row, col)) d += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
    return { size: count + 2 * QUIET, path: d };
  }, [text]);
  return (
    <svg
      className={className ? `qr ${className}` : 'qr'}
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} className="qr-light" />
      <path d={path} className="qr-dark" />
    </svg>
  );
}
