"""Schemathesis hooks for runs against `make run`.

A request body that is not valid UTF-8 reaches the function base64-encoded (API Gateway does so,
and so does its local stand-in, scripts/local_gateway.py), and the function answers 400
`malformed_json`; the product-writer tests cover it. Such bodies are not generated here, so that
the run's examples go to the API's own rules."""
import schemathesis


def _utf8(value):
    if isinstance(value, (bytes, bytearray)):
        try:
            bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return False
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


@schemathesis.hook
def filter_body(ctx, body):
    return _utf8(body)


def _positive(case):
    """Only cases meant to be valid: a negative one must keep the invalid part it was made for."""
    meta = getattr(case, "_meta", None)
    if meta is None:
        return False
    modes = [meta.generation.mode] + [c.mode for c in meta.components.values()]
    return all(str(getattr(m, "value", m)) == "positive" for m in modes)


@schemathesis.hook
def map_case(ctx, case):
    """A PUT names its product twice, in the path and in the body; the schema cannot say they
    must agree, so most generated PUTs would stop at 400 `name_mismatch` (covered by the Rust
    tests). Aligning them lets the cases reach the If-Match and version logic."""
    if case.method.upper() == "PUT" and _positive(case) and isinstance(case.body, dict) and case.path_parameters:
        name = case.path_parameters.get("product_name")
        if isinstance(name, str) and "product_name_str" in case.body:
            case.body["product_name_str"] = name
    return case
