"""Django's and allauth's authentication backends, with a cheaper look-up of the signed-in user.

Every signed-in request loads its user by the id in the session (django.contrib.auth.get_user).
The ORM's `get(pk=…)` cost more to build than to run: 0.17 ms of a signed-in article view's
1.37 ms (benchmarks/profile.py). The same row is read with SQL written once, and the same
checks apply: an inactive user is not signed in.
"""

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection


class UserBySQL:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        table, column = model._meta.db_table, model._meta.pk.column
        quote = connection.ops.quote_name
        sql = f"SELECT * FROM {quote(table)} WHERE {quote(column)} = %s"  # noqa: S608 - names
        user = next(iter(model._default_manager.raw(sql, [pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(UserBySQL, backends.ModelBackend):
    """Username and password (the admin's login form)."""


class AuthenticationBackend(UserBySQL, auth_backends.AuthenticationBackend):
    """allauth's: email or username, and login by code."""
