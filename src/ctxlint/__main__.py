from ctxlint.cli.entry import run

run()
