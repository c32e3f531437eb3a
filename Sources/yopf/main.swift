import CLI
main()
