import { css } from 'lit';

/**
 * The styles every component shares. Each `--gatehouse-*` custom property a page sets wins;
 * otherwise the light or dark default (following `prefers-color-scheme`) applies. The defaults
 * meet WCAG AA contrast (4.5:1 for text) in both schemes.
 */
export const themeStyles = css`
  :host {
    --_font: var(--gatehouse-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_size: var(--gatehouse-font-size, 0.9375rem);
    --_radius: var(--gatehouse-radius, 6px);
    --_space: var(--gatehouse-space, 0.5rem);
    --_bg: var(--gatehouse-color-background, #ffffff);
    --_surface: var(--gatehouse-color-surface, #f6f8fa);
    --_text: var(--gatehouse-color-text, #1f2328);
    --_muted: var(--gatehouse-color-muted, #57606a);
    --_border: var(--gatehouse-color-border, #8c959f);
    --_primary: var(--gatehouse-color-primary, #0b57d0);
    --_on-primary: var(--gatehouse-color-on-primary, #ffffff);
    --_danger: var(--gatehouse-color-danger, #b42318);
    --_success: var(--gatehouse-color-success, #116329);
    --_focus: var(--gatehouse-color-focus, #0b57d0);
    --_selected: var(--gatehouse-color-selected, #ddf4ff);
    display: block;
    font-family: var(--_font);
    font-size: var(--_size);
    color: var(--_text);
    background: var(--_bg);
    line-height: 1.45;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--gatehouse-color-background, #16181d);
      --_surface: var(--gatehouse-color-surface, #22262e);
      --_text: var(--gatehouse-color-text, #e6e8eb);
      --_muted: var(--gatehouse-color-muted, #a9b1bc);
      --_border: var(--gatehouse-color-border, #6e7681);
      --_primary: var(--gatehouse-color-primary, #8ab4f8);
      --_on-primary: var(--gatehouse-color-on-primary, #0b0d10);
      --_danger: var(--gatehouse-color-danger, #ff9b8f);
      --_success: var(--gatehouse-color-success, #7ee2a8);
      --_focus: var(--gatehouse-color-focus, #8ab4f8);
      --_selected: var(--gatehouse-color-selected, #1c3353);
    }
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) * 0.5) calc(var(--_space) * 1.5);
    cursor: pointer;
  }
  button.primary {
    background: var(--_primary);
    border-color: var(--_primary);
    color: var(--_on-primary);
  }
  button.danger {
    color: var(--_danger);
    border-color: var(--_danger);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) * 0.5);
  }
  input[type='checkbox'] {
    width: 1rem;
    height: 1rem;
    accent-color: var(--_primary);
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'],
  select[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  label {
    font-weight: 500;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_space) * 0.5);
    margin-block-end: calc(var(--_space) * 1.5);
  }
  .field.inline {
    flex-direction: row;
    align-items: center;
  }
  .error {
    color: var(--_danger);
  }
  .muted {
    color: var(--_muted);
  }
  .ok {
    color: var(--_success);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
