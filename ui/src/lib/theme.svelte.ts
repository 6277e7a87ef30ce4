// Light or dark: the user's choice if made, else the system's.
type Theme = 'light' | 'dark';

function initial(): Theme {
  const saved = localStorage.getItem('concord-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export class ThemeStore {
  current = $state<Theme>(initial());

  constructor() {
    this.apply();
  }

  toggle() {
    this.current = this.current === 'dark' ? 'light' : 'dark';
    localStorage.setItem('concord-theme', this.current);
    this.apply();
  }

  private apply() {
    document.documentElement.dataset.theme = this.current;
  }
}
