from kilowatt.platform.errors import KilowattError


class InvalidCredentials(KilowattError):
    """The username and password do not match an active user."""
