from fenjie.cli import main

main()
