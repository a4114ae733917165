// The console's entry point: wires the views to the stats poller and the tabs.
import './style.css';
import 'uplot/dist/uPlot.min.css';
import { byId, showError, clearError, setText } from './dom.js';
import { initTabs, onTabChange, showTab } from './tabs.js';
import { initAuth } from './auth.js';
import { onSample, onPollError, pollNow } from './poller.js';
import { updateCatalog, clearCatalog } from './catalog.js';
import { initEndpoints, renderEndpoints } from './endpoints.js';
import { initPlayground, selectEndpoint, onRequestChange } from './playground.js';
import { initTemplates } from './templates.js';
import { renderSnippets } from './snippets.js';
import { addSample, setDashboardVisible } from './dashboard.js';

const status = byId('conn-status');
const pollError = byId('ep-error');
let currentView = 'endpoints';

function uptime(seconds) {
  const m = Math.floor(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

initTabs();
initEndpoints({
  tryEndpoint: (name) => {
    selectEndpoint(name);
    showTab('playground');
    byId('pg-endpoint').focus();
  },
});
initPlayground();
initTemplates();
initAuth({
  onSignOut: () => {
    clearCatalog();
    renderEndpoints({ endpoints: [], routes: [] });
  },
});

onTabChange((view) => {
  currentView = view;
  setDashboardVisible(view === 'dashboard');
  if (view === 'snippets') renderSnippets();
});
onRequestChange(() => {
  if (currentView === 'snippets') renderSnippets();
});

onSample((sample) => {
  clearError(pollError);
  updateCatalog(sample);
  renderEndpoints(sample);
  addSample(sample);
  const config = sample.config_sha256 ? ` · config ${sample.config_sha256.slice(0, 12)}` : '';
  setText(status, `Connected · up ${uptime(sample.now - sample.started)}${config}`);
  status.className = 'ok';
});
onPollError((error) => {
  setText(status, error.status === 401 ? 'Client key required' : 'Gateway unreachable');
  status.className = 'bad';
  if (error.status !== 401) showError(pollError, error);
});

pollNow();
