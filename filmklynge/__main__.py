from filmklynge.cli import main

main()
