import { useCallback, useState } from "react";
import { DEFAULT_NAME, loadName, loadToken, saveName, saveToken } from "../session.ts";

export interface Session {
  token: string | null;
  setToken: (token: string | null) => void;
  /** The display name written as author; DEFAULT_NAME until the responder gives one. */
  name: string;
  /** False until the responder has given (or declined to give) a name once. */
  nameAsked: boolean;
  setName: (name: string) => void;
}

export function useSession(): Session {
  const [token, setTokenState] = useState(loadToken);
  const [storedName, setStoredName] = useState(loadName);
  const setToken = useCallback((next: string | null) => {
    saveToken(next);
    setTokenState(next);
  }, []);
  const setName = useCallback((next: string) => {
    const name = next.trim().slice(0, 200) || DEFAULT_NAME;
    saveName(name);
    setStoredName(name);
  }, []);
  return {
    token,
    setToken,
    name: storedName ?? DEFAULT_NAME,
    nameAsked: storedName !== null,
    setName,
  };
}
