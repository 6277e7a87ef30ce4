import { mount } from 'svelte';
import App from './App.svelte';
import { HttpTransport } from './lib/transport/http';

// The browser talks HTTP to `concord serve`; the desktop app will mount the
// same App with its IPC transport.
mount(App, { target: document.getElementById('app')!, props: { transport: new HttpTransport() } });
