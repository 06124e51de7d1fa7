"""The WeChat Official Account channel (公众号): ``GET/POST /wechat`` on wechatpy."""
