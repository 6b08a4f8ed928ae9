from browsercheck.cli import main

raise SystemExit(main())
