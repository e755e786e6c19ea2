"""``kilowatt demo_logins``: print the demo logins, their roles and what each sees."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kilowatt.demo import queries
from kilowatt.demo.domain import logins


class Command(BaseCommand):
    help = "Print the demo logins (password: kilowatt), their roles and what each sees."

    def handle(self, *args: object, **options: object) -> None:
        summaries = queries.demo_logins()
        user_width = max(len("login"), *(len(s.username) for s in summaries))
        role_width = max(len("role"), *(len(s.role) for s in summaries))
        lines = [
            "",
            f"Kilowatt is at {logins.URL}  (every demo login's password: {logins.PASSWORD})",
            "",
            f"  {'login':<{user_width}}  {'role':<{role_width}}  sees",
            f"  {'-' * user_width}  {'-' * role_width}  {'-' * 40}",
        ]
        lines += [
            f"  {s.username:<{user_width}}  {s.role:<{role_width}}  {s.sees}" for s in summaries
        ]
        self.stdout.write("\n".join([*lines, ""]))
