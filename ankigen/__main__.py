from ankigen.cli import console

console()
