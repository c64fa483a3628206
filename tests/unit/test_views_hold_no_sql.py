"""Views (app/views/) call the queries and domain modules; they hold no SQL of their own, so
each entity's statements live together (app/*/queries.py and the domain modules)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
DATABASE_CALLS = {
    "fetch",
    "fetchrow",
    "fetchval",
    "execute",
    "executemany",
    "cursor",
    "copy_records_to_table",
    "copy_from_query",
    "copy_to_table",
}
STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s")


def sql_in(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DATABASE_CALLS
        ):
            found.append(f"{name}:{node.lineno} .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and STATEMENT.match(node.value):
            found.append(f"{name}:{node.lineno} {node.value.strip()[:40]!r}")
    return found


def test_views_hold_no_sql():
    assert [
        found for path in sorted(VIEWS.glob("*.py")) for found in sql_in(path.read_text(), path.name)
    ] == []


def test_the_check_sees_a_statement_and_a_call():
    view = '''
async def page(request):
    async with request.app[DB_POOL].acquire() as connection:
        return await connection.fetchval("""
            SELECT state FROM queue_entry WHERE candidate_id = $1""", 5)
'''
    assert [found.split(" ")[1] for found in sql_in(view, "view.py")] == [".fetchval()", "'SELECT"]
