-- Launch prices, in nano-USD per token (USD per 1M tokens × 1000).
-- gpt-5.4-nano: $0.20 in, $0.02 cached in, $1.25 out. gpt-5.4-mini: $0.75, $0.075, $4.50.
INSERT INTO `prices` (`model`, `effective_from`, `input_nano`, `cached_input_nano`, `output_nano`) VALUES
  ('gpt-5.4-nano', '2026-01-01', 200, 20, 1250),
  ('gpt-5.4-mini', '2026-01-01', 750, 75, 4500);
