"""Django's and allauth's authentication backends, with a cheaper look-up of the signed-in user.

Every signed-in request loads its user by the id in the session (django.contrib.auth.get_user).
The ORM's `get(pk=…)` cost more to build than to run: 0.26 ms of a signed-in article view's
1.37 ms (benchmarks/profile.py). Here the same row is read with SQL written once per process,
its values converted as the ORM converts them (tests/accounts/test_backends.py compares every
field), and the same checks apply: an inactive user is not signed in.

A page that needs facts about its reader can have them read with the user, in the same round
trip (`loading_user_with()`): one round trip less for every signed-in article view.
"""

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper


@functools.lru_cache(maxsize=256)
def _user_by_id(connection: BaseDatabaseWrapper) -> tuple[str, list[str], list[tuple]]:
    """The SELECT of one user by id, its fields' names, and each column's value converters, for
    one thread's connection (converters may read the connection they belong to)."""
    model = get_user_model()
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(quote(field.column) for field in fields)
    pk = quote(model._meta.pk.column)
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {pk} = %s"  # noqa: S608 - names only
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return sql, [field.attname for field in fields], converters


# A query about the reader to run with their user row, and its name (loading_user_with()).
_loaded_with: contextvars.ContextVar[tuple[str, Callable] | None] = contextvars.ContextVar(
    "user_loaded_with", default=None
)


@contextlib.contextmanager
def loading_user_with(name: str, query: Callable[[object], tuple[str, list]]) -> Iterator[None]:
    """If the signed-in user is loaded inside this block, also run `query(user_pk)`, a SELECT
    and its parameters, in the same round trip. Its rows (tuples) are then
    `user.loaded_with[name]`. The query must return a row, with a column never NULL: a row
    of NULLs reads as no answer, and the caller asks again."""
    token = _loaded_with.set((name, query))
    try:
        yield
    finally:
        _loaded_with.reset(token)


class UserBySQL:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        connection = connections[DEFAULT_DB_ALIAS]
        sql, names, converters = _user_by_id(connection)
        params = [pk]
        extra = _loaded_with.get()
        if extra is not None:
            extra_sql, extra_params = extra[1](pk)
            # LEFT JOIN: a query that finds no rows never hides the user.
            sql = f"SELECT * FROM ({sql}) AS u LEFT JOIN ({extra_sql}) AS x ON TRUE"  # noqa: S608
            params += extra_params
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        values = list(rows[0][: len(names)])
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        user = model.from_db(DEFAULT_DB_ALIAS, names, values)
        if extra is not None and any(value is not None for value in rows[0][len(names) :]):
            user.loaded_with = {extra[0]: [row[len(names) :] for row in rows]}
        return user if self.user_can_authenticate(user) else None


class ModelBackend(UserBySQL, backends.ModelBackend):
    """Username and password (the admin's login form)."""


class AuthenticationBackend(UserBySQL, auth_backends.AuthenticationBackend):
    """allauth's: email or username, and login by code."""
