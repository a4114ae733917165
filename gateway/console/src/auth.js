// The client-key dialog. Opens when an API call answers 401; the key entered is kept in
// sessionStorage (api.js) and sent on every call. A refused key is dropped and the dialog asks
// again with an error; "Sign out" forgets the key.
import { byId, showError, clearError } from './dom.js';
import { apiEvents, getKey, setKey, forgetKey } from './api.js';

const dialog = byId('key-dialog');
const form = byId('key-form');
const input = byId('key-input');
const error = byId('key-error');
const signIn = byId('sign-in');
const signOut = byId('sign-out');

function open(message) {
  if (message) showError(error, { title: message });
  else clearError(error);
  if (!dialog.open) dialog.showModal();
  input.value = '';
  input.focus();
}

function updateButtons() {
  const hasKey = Boolean(getKey());
  signOut.hidden = !hasKey;
  signIn.hidden = hasKey || !needsKey;
}

let needsKey = false;

export function initAuth({ onSignOut }) {
  apiEvents.addEventListener('unauthorized', (event) => {
    needsKey = true;
    if (event.detail.hadKey) {
      forgetKey();  // a refused key is not kept
      open('The gateway refused this key. Check it and try again.');
    } else {
      open();
    }
    updateButtons();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      open('Enter a client key.');
      return;
    }
    dialog.close();
    setKey(key);
    updateButtons();
  });
  signIn.addEventListener('click', () => open());
  signOut.addEventListener('click', () => {
    onSignOut();
    setKey(null);
    updateButtons();
  });
  updateButtons();
}
