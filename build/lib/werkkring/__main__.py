from werkkring.cli import main

main()
