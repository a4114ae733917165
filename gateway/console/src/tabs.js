// The view tabs, as the WAI-ARIA tabs pattern: one tab stop for the tab list (roving
// tabindex), Left/Right/Home/End move between tabs and show the view at once.
const tabs = [...document.querySelectorAll('[role="tab"]')];
const listeners = [];

// fn(viewName) after a view is shown ('endpoints', 'playground', ...).
export const onTabChange = (fn) => listeners.push(fn);

const viewName = (tab) => tab.id.replace(/^tab-/, '');

export function showTab(name) {
  for (const tab of tabs) {
    const selected = viewName(tab) === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !selected;
  }
  for (const fn of listeners) fn(name);
}

export function initTabs() {
  for (const tab of tabs) {
    tab.addEventListener('click', () => showTab(viewName(tab)));
    tab.addEventListener('keydown', (event) => {
      const i = tabs.indexOf(tab);
      const target = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (target === undefined) return;
      event.preventDefault();
      const next = tabs[(target + tabs.length) % tabs.length];
      next.focus();
      showTab(viewName(next));
    });
  }
  showTab('endpoints');
}
