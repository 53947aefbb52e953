from ctxlint.cli import run

run()
