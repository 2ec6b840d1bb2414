/** Entry point of the web console bundle (built by ../build.ts). */
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
