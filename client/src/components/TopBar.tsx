import { linkClick } from "../navigation.ts";

interface TopBarProps {
  name: string;
  /** Absent when the name comes from the access link and cannot be changed here. */
  onChangeName?: () => void;
  onForgetToken: () => void;
}

export function TopBar({ name, onChangeName, onForgetToken }: TopBarProps) {
  return (
    <header className="topbar" data-testid="topbar">
      <a href="/" className="brand" data-testid="nav-dashboard" onClick={linkClick("/")}>
        hotdoc
      </a>
      <span className="spacer" />
      {onChangeName ? (
        <button
          type="button"
          className="link"
          data-testid="current-name"
          title="Change your name"
          onClick={onChangeName}
        >
          {name}
        </button>
      ) : (
        <span data-testid="current-name">{name}</span>
      )}
      <button type="button" className="link" data-testid="forget-token" onClick={onForgetToken}>
        Change access link
      </button>
    </header>
  );
}
