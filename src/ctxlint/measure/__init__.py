"""What a finding costs: token counts, prices, and the secrets reports must mask."""
