"""What the jury decides and weighs: overrides, collusion signals and the traits behind them."""
