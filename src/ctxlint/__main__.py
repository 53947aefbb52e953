from ctxlint.cli.main import run

run()
