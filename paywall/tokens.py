from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "paywall.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        profile = getattr(user, "reader_profile", None)
        verified = profile.email_verified_at if profile else None
        return f"{user.pk}{user.email}{verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
