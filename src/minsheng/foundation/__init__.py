"""What every service needs, below the registry and every programme.

- :mod:`~minsheng.foundation.principals`: roles, permissions, :class:`Principal` and its region
  scopes (who may do what, and where);
- :mod:`~minsheng.foundation.crypto`: the encrypted column type, keyed look-up hashes, keys;
- :mod:`~minsheng.foundation.audit`: the hash-chained audit log every use case appends to;
- :mod:`~minsheng.foundation.models`: the audit log's tables.

It imports only ``core``, ``config``, ``db`` and ``programmes`` (the seam, standard library only);
``tests/test_architecture.py`` keeps it so.
"""
