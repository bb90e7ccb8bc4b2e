from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from newsroom.selectors import user_agencies

from .adapters.drop import parse_address
from .adapters.ftp import tls_context
from .adapters.sftp import FingerprintProblem, KeyProblem, load_private_key, parse_fingerprints
from .models import PlatformKind

# Which secret fields each kind of platform uses (all optional on edit: blank keeps).
CREDENTIAL_FIELDS = {
    "app_id": "Zalo: app_id",
    "secret_key": "Zalo: secret_key của ứng dụng",
    "access_token": "Zalo: access_token",
    "refresh_token": "Zalo: refresh_token",
    "secret": "HTTP push: khóa ký HMAC",
    "username": "FTP/SFTP: tên đăng nhập",
    "password": "FTP/SFTP: mật khẩu",
    "private_key": "SFTP: khóa riêng (PEM, không mật khẩu; có khóa thì đăng nhập bằng khóa)",
}


def _secret_field(label, widget=None):
    # Never rendered with its value: a secret goes in, never comes back out.
    return forms.CharField(
        label=label,
        required=False,
        widget=widget or forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


DEFAULT_PORTS = {PlatformKind.FTP: 21, PlatformKind.SFTP: 22}
KEY_PROBLEMS = {
    "encrypted": "Khóa riêng đang được bảo vệ bằng mật khẩu: hãy dán khóa không mật khẩu "
    "(thông tin xác thực được mã hóa khi lưu).",
    "unsupported": "Loại khóa riêng không được hỗ trợ: chỉ dùng RSA, ECDSA hoặc Ed25519.",
    "unreadable": "Khóa riêng không đọc được: cần khóa dạng PEM "
    "(-----BEGIN OPENSSH PRIVATE KEY----- hoặc -----BEGIN RSA PRIVATE KEY-----).",
}


class PlatformForm(WagtailAdminModelForm):
    """Secrets are write-only: the form shows only their last characters, and a blank
    field keeps the stored value."""

    cred_app_id = _secret_field(CREDENTIAL_FIELDS["app_id"])
    cred_secret_key = _secret_field(CREDENTIAL_FIELDS["secret_key"])
    cred_access_token = _secret_field(CREDENTIAL_FIELDS["access_token"])
    cred_refresh_token = _secret_field(CREDENTIAL_FIELDS["refresh_token"])
    cred_secret = _secret_field(CREDENTIAL_FIELDS["secret"])
    cred_username = _secret_field(CREDENTIAL_FIELDS["username"])
    cred_password = _secret_field(CREDENTIAL_FIELDS["password"])
    cred_private_key = _secret_field(
        CREDENTIAL_FIELDS["private_key"],
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        masked = self.instance.masked_credentials() if self.instance.pk else {}
        for name in CREDENTIAL_FIELDS:
            if masked.get(name):
                self.fields[
                    f"cred_{name}"
                ].help_text = f"Đang lưu: {masked[name]}. Để trống để giữ nguyên."
        if self.instance.pk and self.instance.sends_in_clear:
            field = self.fields["ftp_plaintext_allowed"]
            field.help_text = "⚠ ĐANG BẬT. " + str(field.help_text)
        if for_user is not None and "agency" in self.fields:
            self.fields["agency"].queryset = user_agencies(for_user)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in (PlatformKind.FTP, PlatformKind.SFTP) and cleaned.get("endpoint"):
            try:
                parse_address(cleaned["endpoint"], kind, DEFAULT_PORTS[kind])
            except ValueError:
                self.add_error("endpoint", f"Địa chỉ phải có dạng {kind}://máy-chủ:cổng/thư-mục.")
        if kind == PlatformKind.SFTP:
            self._clean_sftp(cleaned)
        if kind == PlatformKind.FTP and cleaned.get("tls_ca_certificate", "").strip():
            try:
                tls_context(cleaned["tls_ca_certificate"])
            except ValueError:
                self.add_error(
                    "tls_ca_certificate",
                    "Chứng chỉ CA không đọc được: cần một hoặc nhiều chứng chỉ dạng PEM "
                    "(-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----).",
                )
        return cleaned

    def _clean_sftp(self, cleaned):
        try:
            if not parse_fingerprints(cleaned.get("host_key_fingerprint", "")):
                self.add_error(
                    "host_key_fingerprint",
                    "SFTP cần vân tay khóa máy chủ (SHA256:…): lấy bằng "
                    "ssh-keyscan -p cổng máy-chủ | ssh-keygen -lf -",
                )
        except FingerprintProblem as exc:
            self.add_error(
                "host_key_fingerprint",
                f"Vân tay khóa máy chủ không đúng dạng: «{exc.line[:80]}». Cần dạng "
                "SHA256: và 43 ký tự base64, như ssh-keygen -lf in ra "
                "(các loại khóa: RSA, ECDSA, ED25519).",
            )
        try:
            stored = self.instance.credentials
        except ValueError:  # undecryptable with the current key: every secret must be given
            stored = {}
        given = {
            name: cleaned.get(f"cred_{name}") or stored.get(name) for name in CREDENTIAL_FIELDS
        }
        if not given["username"]:
            self.add_error("cred_username", "SFTP cần tên đăng nhập.")
        if not given["password"] and not given["private_key"]:
            self.add_error("cred_password", "SFTP cần mật khẩu hoặc khóa riêng.")
        if cleaned.get("cred_private_key"):
            try:
                load_private_key(cleaned["cred_private_key"])
            except KeyProblem as exc:
                self.add_error("cred_private_key", KEY_PROBLEMS[exc.reason])

    def save(self, commit=True):
        from .services import platform_set_credentials

        values = {name: self.cleaned_data.get(f"cred_{name}", "") for name in CREDENTIAL_FIELDS}
        platform_set_credentials(platform=self.instance, values=values)
        return super().save(commit=commit)
