"""
Partner keys: `<prefix>.<secret>`, made here, stored as the prefix and a
SHA-512 hash of the whole key.

The prefix finds the row (a unique index); the hash is compared in constant
time. A fast hash is right for these keys, unlike for passwords: the secret
is 32 random characters (about 190 bits), so there is nothing to guess, and
a deliberately slow hash would cost every API request tens of milliseconds.
djangorestframework-api-key makes the same choice for the same reason.
"""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string

from .models import PartnerKey

PREFIX_LENGTH = 8
SECRET_LENGTH = 32
# Longer input is no key of ours: refused before any hashing or query.
MAX_KEY_LENGTH = 100


def hash_key(raw_key):
    return hashlib.sha512(raw_key.encode()).hexdigest()


def split_key(raw_key):
    """(prefix, secret), or None when `raw_key` does not have the shape of a key."""
    if not raw_key or len(raw_key) > MAX_KEY_LENGTH or not raw_key.isascii():
        return None
    prefix, dot, secret = raw_key.partition(".")
    if not dot or len(prefix) != PREFIX_LENGTH or len(secret) != SECRET_LENGTH:
        return None
    return prefix, secret


@transaction.atomic
def issue_key(partner_key, *, by):
    """
    Give `partner_key` (unsaved, with its name and note) a new key, save it and
    return the key: the only time it exists in clear.
    """
    while True:
        prefix = get_random_string(PREFIX_LENGTH)
        if not PartnerKey.objects.filter(prefix=prefix).exists():
            break
    raw_key = f"{prefix}.{get_random_string(SECRET_LENGTH)}"
    partner_key.prefix = prefix
    partner_key.hashed_key = hash_key(raw_key)
    partner_key.created_by = by
    partner_key.save()
    return raw_key


def revoke_key(partner_key, *, by):
    """Refuse the key from now on; revoking twice keeps the first time. Returns whether it changed."""
    updated = PartnerKey.objects.filter(pk=partner_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    partner_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return bool(updated)


class KeyRefused(Exception):
    """A key was sent but is not one we accept (unknown, malformed or revoked)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "unknown" or "revoked"


def find_key(raw_key):
    """The PartnerKey for `raw_key`; KeyRefused if it is unknown or revoked."""
    parts = split_key(raw_key)
    if parts is None:
        raise KeyRefused("unknown")
    candidate = PartnerKey.objects.filter(prefix=parts[0]).first()
    if candidate is None or not constant_time_compare(candidate.hashed_key, hash_key(raw_key)):
        raise KeyRefused("unknown")
    if candidate.revoked_at is not None:
        raise KeyRefused("revoked")
    return candidate
