"""Migration maintenance from the command line (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command

from storage.db import alembic_config, create_engine_for_url, current_revision, default_database_url, migrate


def main(argv: list[str] | None = None) -> None:
    """Migration maintenance without an alembic.ini: ``python -m storage upgrade|current|revision``.

    `revision --autogenerate -m MSG` diffs the models against the database at --url and writes a new file
    into storage/migrations/versions/ (review it by hand, then run the schema test).
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m storage", description=main.__doc__)
    parser.add_argument("action", choices=["upgrade", "current", "revision"])
    parser.add_argument("--url", default=default_database_url())
    parser.add_argument("-m", "--message", default="schema change")
    parser.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)
    engine = create_engine_for_url(args.url)
    try:
        if args.action == "upgrade":
            migrate(engine)
            print(current_revision(engine))
        elif args.action == "current":
            print(current_revision(engine))
        else:
            with engine.connect() as conn:
                command.revision(
                    alembic_config(engine.url, connection=conn),
                    message=args.message,
                    autogenerate=args.autogenerate,
                )
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
