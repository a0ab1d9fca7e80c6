"""The Content API's one error family: a bad parameter is a 400 whose JSON names it."""


class ParameterError(Exception):
    """A parameter we refuse. `parameter` is its name as the client sent it; str(exc) says why and
    what is accepted."""

    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter


def error_body(message, parameter=None):
    error = {"message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return {"errors": [error]}
