package migrate

func convertUQL(c *conv, src, typ string) { c.skip("UQL: not yet") }
