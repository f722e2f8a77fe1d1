"""The floor any Typer CLI pays: a one-command Typer app, run cold for comparison."""

import typer

app = typer.Typer()


@app.command()
def main(name: str) -> None:
    print(name)


if __name__ == "__main__":
    app()
