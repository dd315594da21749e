"""OCOP sales points: the append-only stock ledger with live balances, lots, counts and transfers."""
