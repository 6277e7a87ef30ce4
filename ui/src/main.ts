import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { HttpTransport } from './lib/transport/http';

// The browser talks HTTP to `concord serve`; the desktop app mounts the
// same App with its IPC transport.
mount(App, { target: document.getElementById('app')!, props: { transport: new HttpTransport() } });
