"""One small class per route; each ``on_<method>`` turns a request into one service call."""
