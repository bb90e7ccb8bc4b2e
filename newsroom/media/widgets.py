"""wagtailmedia's choosers in Vietnamese, with the cut's processing state shown beside the
chosen title (kept up to date by static/newsroom/admin/media-upload.js)."""

from wagtailmedia.edit_handlers import MediaChooserPanel
from wagtailmedia.widgets import AdminAudioChooser, AdminMediaChooser, AdminVideoChooser


class _Vietnamese:
    clear_choice_text = "Bỏ chọn"
    template_name = "newsroom/admin/media_chooser_widget.html"


class MediaChooser(_Vietnamese, AdminMediaChooser):
    choose_one_text = "Chọn âm thanh / video"
    choose_another_text = "Chọn âm thanh / video khác"
    link_to_chosen_text = "Sửa âm thanh / video này"


class AudioChooser(_Vietnamese, AdminAudioChooser):
    choose_one_text = "Chọn hoặc tải lên bản phát thanh"
    choose_another_text = "Chọn bản phát thanh khác"
    link_to_chosen_text = "Sửa bản phát thanh này"


class VideoChooser(_Vietnamese, AdminVideoChooser):
    choose_one_text = "Chọn hoặc tải lên bản truyền hình"
    choose_another_text = "Chọn bản truyền hình khác"
    link_to_chosen_text = "Sửa bản truyền hình này"


WIDGETS = {"audio": AudioChooser, "video": VideoChooser, None: MediaChooser}


class CutChooserPanel(MediaChooserPanel):
    """MediaChooserPanel with the Vietnamese choosers."""

    @property
    def _widget_class(self):
        return WIDGETS[self.media_type]
