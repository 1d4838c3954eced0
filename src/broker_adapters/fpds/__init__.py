"""The FPDS feed adapter: reading ATOM feed pages (and FPDS XML archives) into core documents."""
