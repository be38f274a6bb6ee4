"""Direct access to the fake database, for tests: no RPC, nothing recorded in ``calls``."""

from __future__ import annotations

from typing import Any

from odoo_test_server import orm
from odoo_test_server.schema import PLAN
from odoo_test_server.store import Savepoint, Store

ADMIN_UID = 2


class Inspection:
    """Mixed into FakeOdoo."""

    store: Store

    def records(self, model: str, include_inactive: bool = True) -> list[dict[str, Any]]:
        """Stored values of every record of ``model`` by id (many2one as an id or False, empty as False)."""
        with self.store.lock:
            names = [
                "id",
                *sorted(self.store.managed(model)),
                "create_uid",
                "create_date",
                "write_uid",
                "write_date",
            ]
            recs = [{n: rec.get(n) for n in names} for _, rec in sorted(self.store.tables[model].items())]
        if not include_inactive and self.store.model_def(model).has_active:
            recs = [rec for rec in recs if rec.get("active")]
        return [{k: False if v is None else v for k, v in rec.items()} for rec in recs]

    def add_plan(self, name: str, parent_id: int | None = None) -> int:
        """Create a plan as an admin would; a root plan gets its ``x_plan<ID>_id`` column on lines."""
        with self.store.lock:
            return self.store.create(PLAN, [{"name": name, "parent_id": parent_id or False}], ADMIN_UID)[0]

    def set_param(self, key: str, value: Any) -> Any:
        """``ir.config_parameter.set_param`` (False or None removes the parameter)."""
        with self.store.lock:
            env = orm.Env(self.store, ADMIN_UID)
            return orm.IrConfigParameter(env, "ir.config_parameter").set_param(key, value)

    def get_param(self, key: str, default: Any = False) -> Any:
        with self.store.lock:
            env = orm.Env(self.store, ADMIN_UID)
            return orm.IrConfigParameter(env, "ir.config_parameter").get_param(key, default)

    def dump(self) -> Savepoint:
        """The whole database as ``pg_dump`` would keep it: records, id sequences, plan columns."""
        with self.store.lock:
            return self.store.savepoint()

    def restore(self, dump: Savepoint) -> None:
        """Back to ``dump`` as a restore of that backup would be: later records gone, ids handed out again."""
        with self.store.lock:
            self.store.rollback(dump)
