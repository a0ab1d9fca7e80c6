"""The Content API's documentation page (/api/v1/docs): its OpenAPI schema rendered on the server
into our own page, with our own stylesheet; no CDN and no script (the issue: "served from our own
static files")."""

from django.shortcuts import render

from .api import api


def page(request):
    schema = api.get_openapi_schema()
    operations = [
        {
            "method": method.upper(),
            "path": address,
            "summary": operation.get("summary", ""),
            "parameters": [
                {
                    "name": parameter["name"],
                    "where": parameter["in"],
                    "required": parameter.get("required", False),
                    "description": parameter.get("description", "")
                    or parameter.get("schema", {}).get("description", ""),
                }
                for parameter in operation.get("parameters", [])
            ],
            "statuses": sorted(operation.get("responses", {})),
        }
        for address, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return render(
        request,
        "content_api/docs.html",
        {"info": schema["info"], "operations": operations, "openapi": schema["openapi"]},
    )
