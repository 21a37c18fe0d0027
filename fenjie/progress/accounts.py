"""Report accounts: each bound to one unit (or the programme office, on all); tokens kept hashed.

The accounts file is JSON, written by ``fenjie account add``::

    {"accounts": [{"name": "kjt", "unit": "省科技厅", "office": false, "token_sha256": "…"}]}

A token is 32 random bytes (URL-safe base64) shown once when the account is made; the file keeps
only its SHA-256 (a random token needs no slow hash), compared in constant time.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "accounts.json"
>>> token = add_account(path, "kjt", unit="省科技厅")
>>> accounts = load_accounts(path)
>>> accounts.authenticate(token).unit, accounts.authenticate("wrong")
('省科技厅', None)
>>> token in path.read_text()
False
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from fenjie.errors import InputError

__all__ = ["Account", "Accounts", "add_account", "load_accounts"]


@dataclass(frozen=True)
class Account:
    name: str
    unit: str | None
    office: bool
    token_sha256: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Accounts:
    accounts: tuple[Account, ...]

    def authenticate(self, token: str | None) -> Account | None:
        """The account whose token this is, or ``None`` (every account compared, in constant
        time, so timing says nothing about which digits matched)."""
        if not token:
            return None
        digest = _digest(token)
        found = None
        for account in self.accounts:
            if hmac.compare_digest(account.token_sha256, digest):
                found = account
        return found


def load_accounts(path: str | os.PathLike[str]) -> Accounts:
    """Read an accounts file; a malformed one is an :class:`~fenjie.errors.InputError`."""
    where = Path(path)
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            f"无法读取账户文件 (cannot read the accounts file)：{exc.strerror}", file=str(where)
        ) from exc
    except json.JSONDecodeError as exc:
        raise InputError(exc.msg, file=str(where), line=exc.lineno, column=exc.colno) from exc
    found = []
    for k, entry in enumerate(data.get("accounts", []) if isinstance(data, dict) else [], 1):
        try:
            account = Account(
                name=str(entry["name"]),
                unit=entry.get("unit"),
                office=bool(entry.get("office", False)),
                token_sha256=str(entry["token_sha256"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"账户 {k} 须有 name 和 token_sha256 (account {k} needs a name and a token_sha256)",
                file=str(where),
            ) from exc
        if not account.office and not account.unit:
            raise InputError(
                f"账户 {account.name!r} 既没有单位，也不是督办账户 (has no unit and is not the office)",
                file=str(where),
            )
        found.append(account)
    return Accounts(tuple(found))


def add_account(
    path: str | os.PathLike[str], name: str, *, unit: str | None = None, office: bool = False
) -> str:
    """Add (or replace) the account ``name``; returns its new token, which is stored hashed only."""
    if bool(unit) == office:
        raise InputError(
            "账户属于一个单位，或是督办账户（--office） (an account belongs to one unit, or is the programme office)"
        )
    where = Path(path)
    existing = load_accounts(where).accounts if where.exists() else ()
    token = secrets.token_urlsafe(32)
    accounts = [a for a in existing if a.name != name]
    accounts.append(Account(name, None if office else unit, office, _digest(token)))
    text = json.dumps({"accounts": [asdict(a) for a in accounts]}, ensure_ascii=False, indent=2)
    staging = where.with_name(where.name + ".tmp")
    staging.write_text(text + "\n", encoding="utf-8")
    os.chmod(staging, 0o600)
    os.replace(staging, where)  # never a half-written accounts file
    return token
