// Log in and sign up.

import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';

import { ApiError, Client4 } from '../api/client';

function message(e: unknown): string {
  return e instanceof ApiError ? e.message : 'Something went wrong. Try again.';
}

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [loginId, setLoginId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await Client4.login(loginId, password);
      onSignedIn();
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Log in to Confab</h1>
        <label>
          Email or username
          <input name="login_id" autoComplete="username" value={loginId} onChange={(e) => setLoginId(e.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn--primary" disabled={busy}>
          Log in
        </button>
        <p>
          No account? <Link to="/signup_user_complete">Create one</Link>
        </p>
      </form>
    </main>
  );
}

export function Signup({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await Client4.createUser({ email, username, password });
      await Client4.login(username, password);
      onSignedIn();
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="signup-title">
        <h1 id="signup-title">Create your account</h1>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </label>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value.toLowerCase())} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn--primary" disabled={busy}>
          Create account
        </button>
        <p>
          Already have one? <Link to="/login">Log in</Link>
        </p>
      </form>
    </main>
  );
}
