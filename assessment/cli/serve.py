"""`dtm serve`: the web form for site visits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    DbOption,
    app,
    check_lang,
    run,
)
from .lang import _, remember_lang


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond this machine needs a code.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    lang: Annotated[
        str, typer.Option("--lang", help="Interface language: zh or en.", callback=remember_lang)
    ] = "zh",
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for finished answer files and PDFs.")
    ] = Path("assessments"),
) -> None:
    """Serve the web form for site visits, and the list of stored assessments.

    Any host other than this machine's (e.g. 0.0.0.0 for tablets on the same Wi-Fi) needs the
    access code printed here, also as a QR code. Once the store has accounts (`dtm user add`),
    everyone signs in instead and sees what their role allows.
    Example: dtm serve --host 0.0.0.0 --port 8765
    """
    from ..queue.form import form_renderer
    from ..serve import plan, qr_text, uses_accounts
    from ..serve import serve as run_form
    from ..serve.security import secret_from_env
    from ..store import resolve_url

    code = check_lang(lang)
    run(secret_from_env)  # a bad $DTM_SECRET is said before anything starts
    accounts = run(lambda: uses_accounts(db))
    how = run(lambda: plan(host, port, accounts=accounts))
    url = resolve_url(db)
    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else None
    typer.echo(_("dtm serve: open %(url)s", url=how.url))
    if how.access_code:
        typer.echo(_("Tablets on the same network: scan this code, or type the address above."))
        typer.echo(qr_text(how.url), nl=False)
    if accounts:
        typer.echo(_("Accounts: everyone signs in (manage them with `dtm user`)."))
    typer.echo(_("Stop with Ctrl+C. Every change is saved as a draft in the store."))
    # The PDFs of finished firms: by the queue's workers while any is alive (PostgreSQL).
    run(
        lambda: run_form(
            how,
            db=db,
            out=out,
            lang=code,
            folder=folder,
            accounts=accounts,
            renderer=form_renderer,
        )
    )
