"""The database identity's comparison (pure): a user made admin later, or losing admin, is the same database at
the same address; anything else is another database. What the url|db fallback cannot tell is documented here too."""

from __future__ import annotations

import pytest

from odoo_sync.store.bindings import Binding
from odoo_sync.sync.binding import IdentityChange, endpoint_identity, identity_change

URL, DB = "https://acme.odoo.example", "acme"
FALLBACK = endpoint_identity(URL, DB)


def bound(identity: str, url: str = URL, db: str = DB) -> Binding:
    return Binding("acme", identity, url, db, {})


@pytest.mark.parametrize(
    ("recorded", "url", "db", "now", "expected"),
    [
        ("uuid:1", URL, DB, "uuid:1", IdentityChange.SAME),
        ("uuid:1", "https://alias.example", DB, "uuid:1", IdentityChange.SAME),  # an alias, told apart by uuid
        (FALLBACK, URL, DB, FALLBACK, IdentityChange.SAME),
        (FALLBACK, URL + "/", DB, "uuid:1", IdentityChange.UUID_NOW_READABLE),  # the user was made admin
        ("uuid:1", URL, DB, FALLBACK, IdentityChange.UUID_NO_LONGER_READABLE),  # the user lost admin
        ("uuid:1", URL, DB, "uuid:2", IdentityChange.ANOTHER),  # the database was replaced at one address
        (FALLBACK, "https://other.example", DB, "uuid:1", IdentityChange.ANOTHER),  # moved and admin: unknowable
        (FALLBACK, URL, "acme_copy", endpoint_identity(URL, "acme_copy"), IdentityChange.ANOTHER),
        # the fallback's limit: the same database through another URL looks like another one
        (FALLBACK, "https://alias.example", DB, endpoint_identity("https://alias.example", DB), IdentityChange.ANOTHER),
    ],
)
def test_identity_change(recorded: str, url: str, db: str, now: str, expected: IdentityChange) -> None:
    assert identity_change(bound(recorded), url, db, now) is expected
