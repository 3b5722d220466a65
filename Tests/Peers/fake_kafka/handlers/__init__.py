# handler modules: each registers one or more APIs with @core.handles(RequestClass)
