"""``python -m contract_tests``."""

from contract_tests.runner import main

raise SystemExit(main())
