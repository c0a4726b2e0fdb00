from trellis.cli.main import main

main()
