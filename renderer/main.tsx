import './styles/index.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app';
import { pier } from './pier';
import { connectNotices } from './stores/notices-store';
import { connectRequestLog } from './stores/request-log-store';
import { connectSelection } from './stores/selection-store';
import { connectServers } from './stores/servers-store';
import { listenForDrops, listenForShortcuts } from './window-input';

const api = pier();
// Subscribe before the first render, so no push from main is missed.
connectServers(api);
connectSelection(api);
connectNotices(api);
connectRequestLog(api);
listenForDrops();
listenForShortcuts();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
