from django.core.management.base import BaseCommand

from agencies.demo_certificates import authority, make_demo_certificates


class Command(BaseCommand):
    help = (
        "创建演示用的证书颁发机构（保存在媒体目录 demo-ca/ 下），并为每个尚无签名证书的承办单位"
        "签发一张签名证书，使演示答复函带数字签名。仅供演示和测试，正式部署请在后台上传本单位的证书。"
    )

    def handle(self, *args, **options):
        ca = authority()
        made = make_demo_certificates()
        self.stdout.write(f"演示证书颁发机构：{ca.certificate.subject.rfc4514_string()}")
        if not made:
            self.stdout.write(self.style.SUCCESS("各承办单位已有签名证书，未作修改。"))
        for certificate in made:
            self.stdout.write(self.style.SUCCESS(
                f"已为 {certificate.agency.name} 签发签名证书，有效期至 {certificate.not_after:%Y-%m-%d}"
            ))
