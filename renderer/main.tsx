import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect, setAccess } from './store';
import { httpSource, takeToken } from './transport/http';
import { apiSource } from './transport/source';
import './styles.css';

// Which engine the page talks to: the desktop app's (its preload), the web dashboard's server
// (this page's own origin, with the link's token), or none (a page opened from disk).
const bridge = window.onionElection;
if (bridge) {
  connect(apiSource(bridge), 'electron');
} else if (location.protocol === 'http:' || location.protocol === 'https:') {
  const token = takeToken();
  if (token) connect(httpSource(token), 'http');
  else setAccess('no-token');
} else {
  setAccess('no-engine');
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
